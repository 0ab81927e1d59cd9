using Donations.Api.Features.Receipts;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Donations.Tests.Infrastructure;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Donations.Tests.Receipts;

public sealed class ResendReceiptTests
{
    [Fact]
    public async Task Resend_sends_the_same_receipt_again_marked_as_a_copy_threaded_to_the_original()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        var id = await app.SeedAsync();
        app.ScheduleReceipts(id);
        var original = ReceiptEmail.From(await app.Smtp!.WaitForMessageAsync(_ => true));

        var result = await ResendAsync(app, original.Number);

        var accepted = Assert.IsType<Accepted<ResendReceipt.Response>>(result.Result);
        var copy = ReceiptEmail.From(await app.Smtp.WaitForMessageAsync(m => m.MessageId == accepted.Value!.MessageId));
        Assert.StartsWith("COPY:", copy.Message.Subject);
        Assert.Contains(original.Number, copy.Message.Subject);
        copy.AssertSaysEverywhere("COPY", original.Number, "$25.00 USD", "No goods or services were provided in exchange for this contribution.");
        Assert.NotEqual(original.Message.MessageId, copy.Message.MessageId);
        Assert.Equal(original.Message.MessageId, copy.Message.InReplyTo);
        Assert.Contains(original.Message.MessageId, copy.Message.References);
        Assert.Equal(original.Number, copy.Number);
    }

    [Fact]
    public async Task Resend_of_an_unknown_number_is_a_not_found_problem()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);

        var result = await ResendAsync(app, "2026-999999");

        var notFound = Assert.IsType<NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>(result.Result);
        Assert.Contains("2026-999999", notFound.Value!.Detail);
    }

    private static async Task<Results<Accepted<ResendReceipt.Response>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> ResendAsync(DonationsApp app, string number)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        return await ResendReceipt.HandleAsync(number, sp.GetRequiredService<DonationsDbContext>(),
            sp.GetRequiredService<IBackgroundJobClient>(), sp.GetRequiredService<IOptions<EmailOptions>>(), CancellationToken.None);
    }
}
