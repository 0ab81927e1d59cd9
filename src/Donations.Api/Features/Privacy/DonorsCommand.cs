using Donations.Api.Infrastructure;

namespace Donations.Api.Features.Privacy;

/// <summary><c>donors erase &lt;email&gt;</c>: a privacy request from the command line (see <see cref="DonorErasure"/>).</summary>
internal sealed class DonorsCommand : ICliCommand
{
    public string Name => "donors";
    public string Usage => "donors erase <email>         pseudonymise a donor, keeping the tax records for Privacy:RetentionYears";

    public async Task<int> RunAsync(IServiceProvider services, string[] args, CancellationToken ct)
    {
        if (args.Length != 2 || args[0] != "erase" || !args[1].Contains('@'))
        {
            await Console.Error.WriteLineAsync($"Usage: {Usage}");
            return 2;
        }
        await using var scope = services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<DonorErasure>().EraseAsync(args[1], "command line", ct);
        var (message, code) = Describe(result);
        await (code == 0 ? Console.Out : Console.Error).WriteLineAsync(message);
        return code;
    }

    public static (string Message, int ExitCode) Describe(DonorErasure.Result result) => result.Outcome switch
    {
        DonorErasure.Outcome.Erased => ($"Donor {result.DonorId} erased. Gifts, receipt numbers and amounts are kept until {result.KeptUntil:yyyy-MM-dd}, then removed.", 0),
        DonorErasure.Outcome.AlreadyErased => ($"Donor {result.DonorId} was erased before; nothing changed.", 0),
        DonorErasure.Outcome.StripeUnavailable => ($"Stripe could not be reached to clear donor {result.DonorId}'s customer details; nothing was erased. Try again later.", 1),
        DonorErasure.Outcome.MonthlyGiftGoing => ($"Donor {result.DonorId} still has a monthly gift being collected. Cancel it first (Stripe Dashboard or the donor portal), then erase.", 1),
        _ => ("No donor has that email address; nothing changed.", 1),
    };
}
