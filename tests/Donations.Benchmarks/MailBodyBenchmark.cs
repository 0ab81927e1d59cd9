using System.Buffers;
using System.Diagnostics;
using Donations.Api.Infrastructure.Email;
using MimeKit;

namespace Donations.Benchmarks;

/// <summary>
/// A receipt-sized message composed and written out as an SMTP session writes it (CRLF, after
/// MailKit's <c>Prepare</c>), in this one process, alternating: the service's <see cref="EncodedBody"/>
/// against MimeKit's <c>BodyBuilder</c> parts, which the service used until the seventeenth pass.
/// The text and HTML are the shipped receipt templates' own (unrendered: a little longer than a
/// rendered receipt), the attachment 1,500 random bytes (a receipt's PDF is 1–2 KB).
/// </summary>
public static class MailBodyBenchmark
{
    public static string Run(int count, int rounds)
    {
        var templates = Path.Combine(AppContext.BaseDirectory, "Templates");
        var text = File.ReadAllText(Path.Combine(templates, "receipt.txt.liquid"));
        var html = File.ReadAllText(Path.Combine(templates, "receipt.html.liquid"));
        var pdf = new byte[1_500];
        new Random(1).NextBytes(pdf);
        var options = new FormatOptions { NewLineFormat = NewLineFormat.Dos };
        using var output = new MemoryStream(64 * 1024);

        void Send(MimeMessage message)
        {
            output.SetLength(0);
            message.Prepare(EncodingConstraint.SevenBit);
            message.WriteTo(options, output);
        }

        var kinds = new (string Name, Action Compose)[]
        {
            ("MimeKit's parts (BodyBuilder)", () =>
            {
                var message = Headers();
                var body = new BodyBuilder { TextBody = text, HtmlBody = html };
                // As the service attached its PDFs then: base64 made once, which MimeKit copies as it is.
                var base64 = new ArrayBufferWriter<byte>();
                TransferEncodings.WriteBase64(pdf, base64);
                body.Attachments.Add(new MimePart("application", "pdf")
                {
                    Content = new MimeContent(new MemoryStream(base64.WrittenSpan.ToArray(), writable: false), ContentEncoding.Base64),
                    ContentTransferEncoding = ContentEncoding.Base64,
                    ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                    FileName = "receipt-2026-000123.pdf",
                });
                message.Body = body.ToMessageBody();
                Send(message);
            }),
            ("EncodedBody", () =>
            {
                var message = Headers();
                message.Body = EncodedBody.Create(text, html, [MailAttachment.Pdf("receipt-2026-000123.pdf", pdf)]);
                Send(message);
            }),
            ("headers alone, no body", () => Send(Headers())),
        };

        var results = kinds.ToDictionary(k => k.Name, _ => new List<(double Micros, double KiB)>());
        var written = new Dictionary<string, long>();
        var report = new System.Text.StringBuilder();
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var (name, compose) in kinds)
            {
                var measured = Measure(compose, count);
                written[name] = output.Length;
                // Round 0 pays for JIT and tiering.
                if (round > 0) results[name].Add(measured);
            }
        }
        foreach (var (name, figures) in results)
        {
            var micros = figures.Select(f => f.Micros).Order().ToList();
            report.AppendLine($"  {name,-32} {micros[micros.Count / 2],7:F1} µs per message (rounds {string.Join(" / ", figures.Select(f => f.Micros.ToString("F1")))}), " +
                $"{figures[0].KiB:F1} KiB allocated, {written[name] / 1024.0:F1} KiB written");
        }
        return report.ToString().TrimEnd();
    }

    private static (double Micros, double KiB) Measure(Action compose, int count)
    {
        GC.Collect();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) compose();
        var elapsed = clock.Elapsed;
        return (elapsed.TotalMicroseconds / count, (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1024.0 / count);
    }

    /// <summary>The headers <see cref="OutboundMail"/> gives a receipt.</summary>
    private static MimeMessage Headers()
    {
        var message = new MimeMessage(
            new Header(HeaderId.Date, "Tue, 01 Dec 2026 07:00:00 +0000"),
            new Header(HeaderId.MessageId, "<receipt.0f8e1c3b9a@example.org>")) { Subject = "Your donation receipt 2026-000123" };
        message.From.Add(MailboxAddress.Parse("Example News <donations@example.org>"));
        message.To.Add(new MailboxAddress("Ada Lovelace", "ada@example.com"));
        message.Headers.Add("X-Receipt-Number", "2026-000123");
        return message;
    }
}
