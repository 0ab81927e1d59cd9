namespace Donations.Api.Infrastructure.Email;

/// <summary>
/// A file a message carries. Only the kinds the product sends, made here, so what goes into the
/// part's headers (<see cref="EncodedBody"/>) is known to need no escaping or folding.
/// </summary>
public sealed record MailAttachment
{
    /// <summary>Longest file name: with its parameter's name and quotes, a header line of at most 78 characters.</summary>
    public const int MaxFileName = 60;

    private MailAttachment(string fileName, string mediaType, byte[] content) => (FileName, MediaType, Content) = (fileName, mediaType, content);

    public string FileName { get; }

    /// <summary>Type and subtype, e.g. <c>application/pdf</c>.</summary>
    public string MediaType { get; }

    public byte[] Content { get; }

    /// <param name="fileName">The product's own name for it (<c>receipt-2026-000123.pdf</c>): printable ASCII without quotes or backslashes, at most <see cref="MaxFileName"/> characters.</param>
    public static MailAttachment Pdf(string fileName, byte[] pdf) => new(Checked(fileName), "application/pdf", pdf);

    private static string Checked(string fileName)
    {
        // A mistake in the caller, not a name to encode; the name itself stays out of the message.
        if (fileName.Length is 0 or > MaxFileName || fileName.Any(c => c is < ' ' or > '~' or '"' or '\\'))
            throw new ArgumentException($"An attachment's file name must be 1 to {MaxFileName} printable ASCII characters without quotes or backslashes.", nameof(fileName));
        return fileName;
    }
}
