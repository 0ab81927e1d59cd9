using Donations.Tests.Infrastructure;

namespace Donations.Tests.Receipts;

/// <summary>
/// An app whose tiers exercise every way the IRS counts member benefits: privileges for small
/// payments, insubstantial goods for large ones, goods deducted, and benefits valued at nothing.
/// </summary>
public sealed class MemberBenefitsApp : IAsyncLifetime
{
    public const string Newsletter = "Members' newsletter";
    public const string Admission = "Free admission to members' evenings";
    public const string PrintEdition = "Quarterly print edition";
    public const string SignedPrint = "Signed print and tote bag";
    public const string PrintAndTote = "Quarterly print edition and annual tote bag";

    private readonly ReceiptsApp _receipts = new() { Configure = o =>
    {
        Tier(o, 0, "Reader", 5, Newsletter, 0, "Goods");
        Tier(o, 1, "Friend", 6, Admission, 3, "MembershipPrivileges");
        Tier(o, 2, "Supporter", 15, PrintEdition, 2, "Goods");
        Tier(o, 3, "Sponsor", 100, SignedPrint, 20, "Goods");
        Tier(o, 4, "Benefactor", 300, PrintAndTote, 5, "Goods");
    } };

    public DonationsApp App => _receipts.App;
    public Task<List<ReceiptEmail>> MailToAsync(string email, int count = 1) => _receipts.MailToAsync(email, count);

    public Task InitializeAsync() => _receipts.InitializeAsync();
    public Task DisposeAsync() => _receipts.DisposeAsync();

    private static void Tier(DonationsAppOptions o, int i, string name, decimal minimum, string benefits, decimal value, string kind)
    {
        o.Settings[$"Memberships:Tiers:{i}:Name"] = name;
        o.Settings[$"Memberships:Tiers:{i}:MinimumMonthlyAmount"] = minimum.ToString(System.Globalization.CultureInfo.InvariantCulture);
        o.Settings[$"Memberships:Tiers:{i}:Benefits"] = benefits;
        o.Settings[$"Memberships:Tiers:{i}:BenefitsFairMarketValue"] = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        o.Settings[$"Memberships:Tiers:{i}:BenefitsKind"] = kind;
    }
}
