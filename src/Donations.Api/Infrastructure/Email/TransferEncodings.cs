using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Donations.Api.Infrastructure.Email;

/// <summary>
/// The three transfer encodings outbound mail uses, each in 7-bit lines with CRLF breaks (RFC 2045):
/// text that is ASCII in short lines as it is (<c>7bit</c>), other text as <c>quoted-printable</c>,
/// files as <c>base64</c>. Each writes straight into the message's bytes; runs of plain characters
/// are copied whole, not a byte at a time.
/// </summary>
public static class TransferEncodings
{
    /// <summary>
    /// Longest line text goes out on as it is: RFC 5322's "should" (78 characters), as MimeKit
    /// chose before; a longer line goes quoted-printable, which folds it.
    /// </summary>
    public const int MaxSevenBitLine = 78;

    /// <summary>Characters on a quoted-printable line before its soft break (<c>=</c>): 76 in all.</summary>
    private const int QuotedLine = 75;

    /// <summary>Bytes that stand for themselves in quoted-printable: printable ASCII but '=', and space and tab.</summary>
    private static readonly SearchValues<byte> Literal = SearchValues.Create(
        [(byte)' ', (byte)'\t', .. Enumerable.Range(33, 94).Where(b => b != '=').Select(b => (byte)b)]);

    private const int BytesPerBase64Line = 57; // 76 base64 characters

    /// <summary>
    /// True when <paramref name="text"/> can go as <c>7bit</c>: ASCII, no NUL or lone CR, no line over
    /// <see cref="MaxSevenBitLine"/> or ending in white space (which a transport may strip).
    /// </summary>
    public static bool IsSevenBit(ReadOnlySpan<char> text)
    {
        if (!Ascii.IsValid(text) || text.Contains('\0')) return false;
        foreach (var line in Lines(text))
            if (line.Length > MaxSevenBitLine || line.Contains('\r') || line is [.., ' ' or '\t']) return false;
        return true;
    }

    /// <summary>
    /// ASCII text as it is, its line breaks (LF or CRLF) written as CRLF. Like every text writer here
    /// it adds no line break the text does not end in: the CRLF of the delimiter that follows the part
    /// ends its last line, and a reader gets the text back exactly, as from MimeKit's parts.
    /// </summary>
    public static void WriteSevenBit(ReadOnlySpan<char> text, IBufferWriter<byte> output)
    {
        var lines = Lines(text);
        while (lines.MoveNext())
        {
            var line = lines.Current;
            var span = output.GetSpan(line.Length + 2);
            // Narrowing ASCII cannot fail: IsSevenBit checked it.
            var length = Encoding.ASCII.GetBytes(line, span);
            if (lines.CurrentEndsInBreak)
            {
                span[length++] = (byte)'\r';
                span[length++] = (byte)'\n';
            }
            output.Advance(length);
        }
    }

    /// <summary>
    /// Text as UTF-8 in quoted-printable (RFC 2045 §6.7): lines of at most 76 characters, longer
    /// ones folded with soft breaks; '=', bytes outside printable ASCII and a line's trailing space
    /// or tab as <c>=XX</c>; the text's line breaks (LF or CRLF) as CRLF, a lone CR as <c>=0D</c>.
    /// </summary>
    public static void WriteQuotedPrintable(ReadOnlySpan<char> text, IBufferWriter<byte> output)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var lines = Lines(text);
            while (lines.MoveNext())
            {
                var length = Encoding.UTF8.GetBytes(lines.Current, rented);
                QuoteLine(rented.AsSpan(0, length), output);
                if (lines.CurrentEndsInBreak) Write(output, "\r\n"u8);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Bytes as base64 in lines of 76 characters, each ending in CRLF.</summary>
    public static void WriteBase64(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        for (var offset = 0; offset < data.Length; offset += BytesPerBase64Line)
        {
            var chunk = data.Slice(offset, Math.Min(BytesPerBase64Line, data.Length - offset));
            var span = output.GetSpan(Base64.GetMaxEncodedToUtf8Length(chunk.Length) + 2);
            Base64.EncodeToUtf8(chunk, span, out _, out var written);
            span[written] = (byte)'\r';
            span[written + 1] = (byte)'\n';
            output.Advance(written + 2);
        }
    }

    /// <summary>
    /// One line, its break not included: a line break, the text's or the delimiter's, always
    /// follows. A '.' that would start an encoded line is encoded too: SMTP's DATA would otherwise
    /// double it (dot-stuffing), which makes MailKit copy the whole message once more.
    /// </summary>
    private static void QuoteLine(ReadOnlySpan<byte> line, IBufferWriter<byte> output)
    {
        var column = 0;
        var position = 0;
        while (position < line.Length)
        {
            if (column == QuotedLine) column = SoftBreak(output);
            var rest = line[position..];
            var plain = column == 0 && rest[0] == '.' ? 0 : PlainRun(rest);
            if (plain > 0)
            {
                var take = Math.Min(plain, QuotedLine - column);
                Write(output, rest[..take]);
                column += take;
                position += take;
                continue;
            }
            if (column + 3 > QuotedLine)
            {
                column = SoftBreak(output);
                continue;
            }
            var hex = output.GetSpan(3);
            hex[0] = (byte)'=';
            hex[1] = (byte)"0123456789ABCDEF"[rest[0] >> 4];
            hex[2] = (byte)"0123456789ABCDEF"[rest[0] & 0xF];
            output.Advance(3);
            column += 3;
            position++;
        }
    }

    /// <summary>How many of the line's next bytes stand for themselves; a space or tab that ends the line does not (a transport may strip it).</summary>
    private static int PlainRun(ReadOnlySpan<byte> rest)
    {
        var plain = rest.IndexOfAnyExcept(Literal);
        if (plain >= 0) return plain;
        return rest[^1] is (byte)' ' or (byte)'\t' ? rest.Length - 1 : rest.Length;
    }

    private static int SoftBreak(IBufferWriter<byte> output)
    {
        Write(output, "=\r\n"u8);
        return 0;
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    /// <summary>
    /// The text's lines without their breaks, LF or CRLF; a final break ends the last line, it does
    /// not start an empty one. A lone CR is a character of its line, but one that ends the text is
    /// dropped: a reader of MimeKit's own parts never gets it back either (EncodedBodyTests).
    /// </summary>
    private static LineEnumerator Lines(ReadOnlySpan<char> text) => new(text.EndsWith('\r') ? text[..^1] : text);

    private ref struct LineEnumerator(ReadOnlySpan<char> text)
    {
        private ReadOnlySpan<char> _rest = text;

        public ReadOnlySpan<char> Current { get; private set; }

        /// <summary>Whether a line break ended <see cref="Current"/> (every line but perhaps the last).</summary>
        public bool CurrentEndsInBreak { get; private set; }

        public readonly LineEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_rest.IsEmpty) return false;
            var end = _rest.IndexOf('\n');
            CurrentEndsInBreak = end >= 0;
            if (end < 0)
            {
                Current = _rest;
                _rest = default;
                return true;
            }
            Current = end > 0 && _rest[end - 1] == '\r' ? _rest[..(end - 1)] : _rest[..end];
            _rest = _rest[(end + 1)..];
            return true;
        }
    }
}
