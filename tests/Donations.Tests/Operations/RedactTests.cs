using Donations.Api.Infrastructure.Logging;

namespace Donations.Tests.Operations;

public sealed class RedactTests
{
    [Theory]
    [InlineData("Mail to Ada.Lovelace@Example.org refused", "Mail to a***@example.org refused")]
    [InlineData("550 5.1.1 <grace@mail.example.co.uk>: Recipient address rejected", "550 5.1.1 <g***@mail.example.co.uk>: Recipient address rejected")]
    [InlineData("GET /donate?email=ada%40example.org&amount=25", "GET /donate?email=[redacted]&amount=25")]
    [InlineData("GET /donate?amount=25&next=ada%40example.org", "GET /donate?amount=25&next=a***@example.org")]
    [InlineData("GET /manage/0123456789abcdefghijABCDEFGHIJ_-0123456789a HTTP/1.1", "GET /manage/[redacted] HTTP/1.1")]
    [InlineData("GET /manage/account", "GET /manage/account")]
    [InlineData("POST /reset?token=abc.def&x=1", "POST /reset?token=[redacted]&x=1")]
    [InlineData("GET /stripe/return?code=ac_123XYZ&state=9", "GET /stripe/return?code=[redacted]&state=9")]
    [InlineData("GET /x?a=1&CODE=secret", "GET /x?a=1&CODE=[redacted]")]
    [InlineData("Stripe event evt_123 (invoice.paid) Processed", "Stripe event evt_123 (invoice.paid) Processed")]
    public void Text_redacts_addresses_tokens_and_sensitive_query_values(string text, string expected) =>
        Assert.Equal(expected, Redact.Text(text));

    [Fact]
    public void Email_and_name_keep_only_a_hint()
    {
        Assert.Equal("a***@example.org", Redact.Email(" Ada.Lovelace@EXAMPLE.org "));
        Assert.Equal("A***", Redact.Name("Ada Lovelace"));
        Assert.Equal("", Redact.Name(null));
    }
}
