namespace Donations.Api.Infrastructure.Security;

/// <summary>
/// <c>DataProtection:CertificatePath</c> and <c>DataProtection:CertificatePassword</c>: a PKCS#12
/// (.pfx) file holding an RSA certificate and its private key, kept outside the database (a file
/// on the node, mode 0600). It encrypts the data-protection key ring stored in the database and
/// keys the staff session stamps, so a copy of the database alone can neither forge a staff or
/// donor cookie nor open sealed job arguments. Required outside Development.
/// </summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";
    public string? CertificatePath { get; set; }
    public string? CertificatePassword { get; set; }
}
