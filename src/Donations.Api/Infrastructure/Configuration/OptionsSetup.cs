using System.ComponentModel.DataAnnotations;
using System.Linq.Expressions;
using Microsoft.Extensions.Options;

namespace Donations.Api.Infrastructure.Configuration;

public static class OptionsSetup
{
    public static WebApplicationBuilder AddDonationsOptions(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var isDevelopment = builder.Environment.IsDevelopment();

        Bind<DatabaseOptions>(services, DatabaseOptions.Section);
        Bind<HangfireOptions>(services, HangfireOptions.Section);
        Bind<StripeOptions>(services, StripeOptions.Section)
            .Validate(o => isDevelopment || !string.IsNullOrWhiteSpace(o.SecretKey),
                "Stripe:SecretKey is required (set it through an environment variable Stripe__SecretKey or user-secrets).")
            .Validate(o => isDevelopment || o.WebhookSecrets.Any(s => !string.IsNullOrWhiteSpace(s)),
                "Stripe:WebhookSecrets must list at least one whsec_ secret (Stripe__WebhookSecrets__0).")
            .Validate(o => IsCron(o.ReconcileCron),
                "Stripe:ReconcileCron must be a cron expression of 5 fields (or 6 with seconds), e.g. \"0 * * * *\".");
        Bind<EmailOptions>(services, EmailOptions.Section)
            .Validate(o => o.Delivery != EmailDelivery.Smtp || !string.IsNullOrWhiteSpace(o.Smtp.Host),
                "Email:Smtp:Host is required when Email:Delivery is Smtp.")
            .Validate(o => o.Smtp.Port is > 0 and < 65536, "Email:Smtp:Port must be between 1 and 65535.")
            .Validate(o => o.Smtp.BatchSize is >= 1 and <= 10000, "Email:Smtp:BatchSize must be between 1 and 10000.")
            .Validate(o => o.Smtp.ClaimLease >= TimeSpan.FromSeconds(5) && o.Smtp.ClaimLease <= TimeSpan.FromHours(1),
                "Email:Smtp:ClaimLease must be between 5 seconds and 1 hour.")
            .Validate(o => o.Smtp.Connections is >= 1 and <= 100, "Email:Smtp:Connections must be between 1 and 100.")
            .Validate(o => IsMailbox(o.From), "Email:From must be a valid address (e.g. \"Example Journal <donations@example.org>\").");
        Bind<OrganizationOptions>(services, OrganizationOptions.Section)
            .Validate(o => IsTimeZone(o.TimeZone), "Organization:TimeZone must be an IANA time zone id such as America/New_York.");
        Bind<DonationsOptions>(services, DonationsOptions.Section)
            .Validate(o => o.Currencies.Length > 0 && o.Currencies.All(c => c.Length == 3 && c.All(char.IsAsciiLetterLower)),
                "Donations:Currencies must be lower-case ISO 4217 codes such as \"usd\".")
            .Validate(o => o.PresetAmounts.All(a => a >= o.MinimumAmount && a <= o.MaximumAmount),
                "Donations:PresetAmounts must lie between Donations:MinimumAmount and Donations:MaximumAmount.");
        services.AddSingleton<IValidateOptions<DonationsOptions>, GiftLimitsValidator>();
        Bind<MembershipsOptions>(services, MembershipsOptions.Section)
            .Validate(o => o.Tiers.All(t => !string.IsNullOrWhiteSpace(t.Name)), "Memberships:Tiers: every tier needs a Name.")
            .Validate(o => o.Tiers.All(t => t.BenefitsFairMarketValue >= 0 && t.MinimumMonthlyAmount >= 0),
                "Memberships:Tiers: MinimumMonthlyAmount and BenefitsFairMarketValue must not be negative.")
            .Validate(o => o.InsubstantialBenefitLimits.All(y => int.TryParse(y.Key, out var year) && year is >= 1990 and <= 2100),
                "Memberships:InsubstantialBenefitLimits: each key must be a calendar year such as 2026.")
            .Validate(o => o.InsubstantialBenefitLimits.Values.All(l => l.LowCostArticle > 0 && l.BenefitCap > 0 && l.MinimumPayment > 0),
                "Memberships:InsubstantialBenefitLimits:<year>: LowCostArticle, BenefitCap and MinimumPayment must all be set and positive.")
            .Validate(o => o.WinBackAfterDays is >= 0 and <= 3650, "Memberships:WinBackAfterDays must be between 0 (off) and 3650.")
            .Validate(o => o.CardExpiryReminderDays is >= 0 and <= 60, "Memberships:CardExpiryReminderDays must be between 0 (off) and 60.")
            .Validate(o => IsCron(o.FollowUpCron), "Memberships:FollowUpCron must be a cron expression such as \"0 15 * * *\".");
        Bind<PrivacyOptions>(services, PrivacyOptions.Section)
            .Validate(o => o.RetentionYears is >= 1 and <= 100, "Privacy:RetentionYears must be between 1 and 100.")
            .Validate(o => IsCron(o.PurgeCron), "Privacy:PurgeCron must be a cron expression such as \"30 4 * * *\".");
        Bind<ObservabilityOptions>(services, ObservabilityOptions.Section);
        Bind<StatementsOptions>(services, StatementsOptions.Section)
            .Validate(o => string.IsNullOrWhiteSpace(o.TimeZone) || IsTimeZone(o.TimeZone),
                "Statements:TimeZone must be an IANA time zone id such as America/New_York.")
            .Validate(o => IsCron(o.Cron),
                "Statements:Cron must be a cron expression of 5 fields (or 6 with seconds), e.g. \"0 9 10 1 *\".");

        services.AddOptions<ConnectionStringOptions>()
            .Configure(o => o.Donations = builder.Configuration.GetConnectionString("Donations"))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Donations), "ConnectionStrings:Donations is required.")
            .ValidateOnStart();
        return builder;
    }

    /// <summary>
    /// The few settings that decide what is registered (the database, which mail sender, whether
    /// this node runs jobs, which exporters) are needed before the container exists. One is read
    /// here through its options class, with that property's data annotations, so a bad value stops
    /// start-up with the message naming its key; the options system checks the whole section on
    /// start. Only the property asked for is checked: the command line builds the same services
    /// and must work before, say, the sender address is configured.
    /// </summary>
    public static TValue StartupOption<T, TValue>(this IConfiguration configuration, string section, Expression<Func<T, TValue>> property)
        where T : class, new()
    {
        var options = configuration.GetSection(section).Get<T>() ?? new T();
        var member = ((MemberExpression)property.Body).Member.Name;
        var value = property.Compile()(options);
        var failures = new List<ValidationResult>();
        if (!Validator.TryValidateProperty(value, new ValidationContext(options) { MemberName = member }, failures))
            throw new OptionsValidationException(section, typeof(T), failures.Select(f => f.ErrorMessage ?? $"{section}:{member} is invalid."));
        return value;
    }

    private static OptionsBuilder<T> Bind<T>(IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();

    private static bool IsTimeZone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);

    /// <summary>
    /// What Hangfire accepts when it registers a recurring job (5 fields, or 6 with seconds, parsed
    /// by Cronos), checked here so that a bad value stops start-up naming its key, not with
    /// Hangfire's message that names none.
    /// </summary>
    internal static bool IsCron(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return false;
        var fields = value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6)) return false;
        try
        {
            Cronos.CronExpression.Parse(value, fields == 6 ? Cronos.CronFormat.IncludeSeconds : Cronos.CronFormat.Standard);
            return true;
        }
        catch (Cronos.CronFormatException)
        {
            return false;
        }
    }

    private static bool IsMailbox(string value) => MimeKit.MailboxAddress.TryParse(value, out _);
}
