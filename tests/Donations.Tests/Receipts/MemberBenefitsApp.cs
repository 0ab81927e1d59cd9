using System.Globalization;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.Receipts;

/// <summary>
/// An app whose tiers exercise every way the IRS counts member benefits: privileges for small
/// payments, insubstantial goods for large ones, goods deducted, and benefits valued at nothing.
/// The tiers are also set in euros (all of them) and yen (Supporter only), judged at
/// <see cref="DollarsPerEuro"/> and <see cref="DollarsPerYen"/> while no Stripe settlement says
/// otherwise; pounds are accepted but no tier is set in them.
/// </summary>
public sealed class MemberBenefitsApp : IAsyncLifetime
{
    public const string Newsletter = "Members' newsletter";
    public const string Admission = "Free admission to members' evenings";
    public const string PrintEdition = "Quarterly print edition";
    public const string SignedPrint = "Signed print and tote bag";
    public const string PrintAndTote = "Quarterly print edition and annual tote bag";
    public const string LogoMug = "Mug with our logo";
    public const string AnnualBook = "The year's reporting, bound";
    public const string NoGoods = "No goods or services were provided";
    public const string QuidProQuo = "limited to the excess of the amount contributed over the value of goods or services provided";
    public const string FullyDeductible = "therefore the full amount of your payment is a deductible contribution";
    public const decimal DollarsPerEuro = 1.16m;
    public const decimal DollarsPerYen = 0.0067m;

    private readonly ReceiptsApp _receipts = new() { Configure = Configure };

    public DonationsApp App => _receipts.App;
    public Task<List<ReceiptEmail>> MailToAsync(string email, int count = 1) => _receipts.MailToAsync(email, count);

    public Task InitializeAsync() => _receipts.InitializeAsync();
    public Task DisposeAsync() => _receipts.DisposeAsync();

    public static void Configure(DonationsAppOptions o)
    {
        Tier(o, 0, "Reader", 5, Newsletter, 0, "Goods", ("eur", 5, null));
        Tier(o, 1, "Friend", 6, Admission, 3, "MembershipPrivileges", ("eur", 6, 3));
        Tier(o, 2, "Supporter", 15, PrintEdition, 2, "Goods", ("eur", 15, 2), ("jpy", 2000, 300));
        Tier(o, 3, "Sponsor", 100, SignedPrint, 20, "Goods", ("eur", 100, 20));
        Tier(o, 4, "Benefactor", 300, PrintAndTote, 5, "Goods", ("eur", 300, 5));
        Tier(o, 5, "Champion", 5.50m, LogoMug, 1.10m, "TokenItems");
        Tier(o, 6, "Patron", 600, AnnualBook, 12, "Goods");
        o.Settings["Donations:Currencies:3"] = "gbp";
        o.Settings["Memberships:UsdRates:eur"] = Text(DollarsPerEuro);
        o.Settings["Memberships:UsdRates:jpy"] = Text(DollarsPerYen);
    }

    private static void Tier(DonationsAppOptions o, int i, string name, decimal minimum, string benefits, decimal value, string kind,
        params (string Currency, decimal Minimum, decimal? Value)[] elsewhere)
    {
        o.Settings[$"Memberships:Tiers:{i}:Name"] = name;
        o.Settings[$"Memberships:Tiers:{i}:MinimumMonthlyAmount"] = Text(minimum);
        o.Settings[$"Memberships:Tiers:{i}:Benefits"] = benefits;
        o.Settings[$"Memberships:Tiers:{i}:BenefitsFairMarketValue"] = Text(value);
        o.Settings[$"Memberships:Tiers:{i}:BenefitsKind"] = kind;
        foreach (var (currency, min, fmv) in elsewhere)
        {
            o.Settings[$"Memberships:Tiers:{i}:Currencies:{currency}:MinimumMonthlyAmount"] = Text(min);
            if (fmv is { } v) o.Settings[$"Memberships:Tiers:{i}:Currencies:{currency}:BenefitsFairMarketValue"] = Text(v);
        }
    }

    private static string Text(decimal d) => d.ToString(CultureInfo.InvariantCulture);
}
