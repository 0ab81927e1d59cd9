using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Donations.Api.Infrastructure.Observability;

/// <summary>
/// The service's own meters and traces. Tags are low-cardinality (currency, frequency, event
/// type, outcome): never ids, emails or amounts.
/// </summary>
public sealed class DonationsMetrics
{
    public const string Name = "Donations";
    public static readonly ActivitySource Activities = new(Name);

    private readonly Counter<long> _donations;
    private readonly Counter<long> _donationAmount;
    private readonly Counter<long> _webhookEvents;
    private readonly Histogram<double> _webhookHandling;
    private readonly Counter<long> _receipts;
    private readonly Counter<long> _statementRuns;
    private readonly Counter<long> _statements;
    private long _inboxBacklog;
    private volatile IReadOnlyDictionary<string, long> _drift = new Dictionary<string, long>();

    public DonationsMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _donations = meter.CreateCounter<long>("donations.settled", "{donation}", "Donations settled, by currency and frequency.");
        _donationAmount = meter.CreateCounter<long>("donations.amount", "{minor_unit}", "Amount settled in the currency's minor unit, by currency and frequency.");
        _webhookEvents = meter.CreateCounter<long>("donations.webhook.events", "{event}", "Stripe events received or processed, by type and outcome.");
        _webhookHandling = meter.CreateHistogram<double>("donations.webhook.handling.duration", "s", "Time to process one Stripe event in its job.");
        _receipts = meter.CreateCounter<long>("donations.receipts", "{receipt}", "Receipt emails, by kind and outcome (sent, failed, rejected).");
        _statementRuns = meter.CreateCounter<long>("donations.statements.runs", "{run}", "Year-end statement runs started.");
        _statements = meter.CreateCounter<long>("donations.statements", "{statement}", "Year-end statements, by outcome.");
        meter.CreateObservableGauge("donations.webhook.inbox.backlog", () => Volatile.Read(ref _inboxBacklog), "{event}",
            "Stripe events received but not yet processed.");
        meter.CreateObservableGauge("donations.finance.drift.items",
            () => _drift.Select(k => new Measurement<long>(k.Value, new KeyValuePair<string, object?>("kind", k.Key))), "{item}",
            "Disagreements between the books and Stripe in the last drift report, by kind (0 when they agree).");
    }

    public void DonationSettled(string currency, string frequency, long amount)
    {
        var tags = new TagList { { "currency", currency }, { "frequency", frequency } };
        _donations.Add(1, tags);
        _donationAmount.Add(amount, tags);
    }

    public void WebhookEvent(string type, string outcome) =>
        _webhookEvents.Add(1, new TagList { { "type", type }, { "outcome", outcome } });

    public void WebhookHandled(string type, string outcome, TimeSpan elapsed) =>
        _webhookHandling.Record(elapsed.TotalSeconds, new TagList { { "type", type }, { "outcome", outcome } });

    public void Receipt(string kind, string outcome) =>
        _receipts.Add(1, new TagList { { "kind", kind }, { "outcome", outcome } });

    public void StatementRunStarted() => _statementRuns.Add(1);

    public void Statement(string outcome) => _statements.Add(1, new TagList { { "outcome", outcome } });

    public void InboxBacklog(long count) => Volatile.Write(ref _inboxBacklog, count);

    /// <summary>The last drift report's items per kind (every kind, zeros included).</summary>
    public void Drift(IReadOnlyDictionary<string, long> itemsByKind) => _drift = itemsByKind;
}
