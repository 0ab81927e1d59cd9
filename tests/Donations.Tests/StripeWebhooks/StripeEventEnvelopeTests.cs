using System.Text;
using Donations.Api.Features.StripeWebhooks;

namespace Donations.Tests.StripeWebhooks;

/// <summary>
/// The inbox reads an event's envelope (id, type, API version, created, livemode) in one pass over
/// its top level, whatever the rest of the payload holds: any API version and any type is
/// recorded, and a payload that is not a Stripe event, or not JSON, is refused.
/// </summary>
public sealed class StripeEventEnvelopeTests
{
    private static StripeEventEnvelope? Parse(string json) => StripeEventEnvelope.TryParse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void An_events_envelope_is_read_past_its_data_whatever_it_holds()
    {
        var envelope = Parse("""
            {"id":"evt_1","object":"event","data":{"object":{"id":"cs_1","items":[{"a":[1,2,{"b":null}]}],"type":"not this one"}},
             "api_version":"2025-09-30.clover","created":1764547200,"livemode":true,"pending_webhooks":1,"request":{"id":null},"type":"checkout.session.completed"}
            """);

        Assert.Equal(new StripeEventEnvelope("evt_1", "checkout.session.completed", "2025-09-30.clover",
            new DateTime(2025, 12, 1, 0, 0, 0, DateTimeKind.Utc), true), envelope);
    }

    [Fact]
    public void Escaped_names_are_read_as_JSON_reads_them_and_a_field_given_twice_counts_as_its_last()
    {
        var envelope = Parse("""{"\u0069d":"evt_escaped","type":"first","type":"invoice.paid","created":1,"livemode":true,"livemode":false}""");

        Assert.Equal(new StripeEventEnvelope("evt_escaped", "invoice.paid", null, DateTime.UnixEpoch.AddSeconds(1), false), envelope);
    }

    [Theory]
    [InlineData("""[{"id":"evt_1","type":"invoice.paid","created":1}]""")] // not an object
    [InlineData("""{"id":"ch_1","object":"charge","type":"invoice.paid","created":1}""")] // not an event
    [InlineData("""{"id":"evt_1","type":"invoice.paid"}""")] // no created
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":"1"}""")] // created not a number
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1.5}""")] // nor a whole one
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":99999999999999}""")] // out of range
    [InlineData("""{"id":" ","type":"invoice.paid","created":1}""")] // blank id
    [InlineData("""{"id":7,"type":"invoice.paid","created":1}""")] // id not a string
    [InlineData("""{"id":"evt_1","created":1}""")] // no type
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1,"data":{"object":{"id":"x",}}}""")] // broken JSON in the data
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1""")] // cut short
    [InlineData("")]
    // An escape that decodes to no character (a lone surrogate) in a field the envelope reads, or in a
    // top-level name it must compare, refuses the event, even where a later field would have been readable.
    [InlineData("""{"id":"\ud800","id":"evt_1","type":"invoice.paid","created":1}""")]
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created":1,"id\udc00":0}""")]
    public void What_is_not_a_Stripe_event_in_JSON_is_refused(string json) => Assert.Null(Parse(json));

    [Fact]
    public void An_overlong_API_version_is_dropped_and_an_overlong_id_refused()
    {
        Assert.Null(Parse($$"""{"id":"evt_1","type":"invoice.paid","created":1,"api_version":"{{new string('v', 65)}}"}""")!.ApiVersion);
        Assert.Null(Parse($$"""{"id":"{{new string('e', 256)}}","type":"invoice.paid","created":1}"""));
    }

    [Fact]
    public void Nesting_beyond_sixty_four_levels_is_refused()
    {
        var deep = new string('[', 70) + new string(']', 70);
        Assert.Null(Parse($$"""{"id":"evt_1","type":"invoice.paid","created":1,"data":{{deep}}}"""));
    }
}
