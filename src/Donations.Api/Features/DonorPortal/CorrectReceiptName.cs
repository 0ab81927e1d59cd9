using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>POST /manage/name</c>: the donor corrects the name printed on their receipts and statements
/// from now on. Receipts already issued keep the name they were issued with. Payment events fill
/// in a name only where none is known, so a cardholder name on a later payment does not undo this.
/// </summary>
public static class CorrectReceiptName
{
    public const int MaxLength = 200;

    public static async Task<IResult> Handle(HttpContext http, DonationsDbContext db, IOptions<OrganizationOptions> org, ILogger<GiftChanges> log)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var name = string.Join(' ', form["name"].ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (name.Length is 0 or > MaxLength || name.Any(char.IsControl))
            return PortalPage.Render(http, org.Value.Name, "Please check the form", $"""
                <p class="notice error" role="alert">Enter your name as it should appear on receipts, up to {MaxLength} characters. Nothing has changed.</p>
                <p><a href="/manage/account">Back to your giving</a></p>
                """, StatusCodes.Status400BadRequest);
        var donorId = DonorAuthentication.DonorId(http.User);
        await db.Donors.Where(d => d.Id == donorId).ExecuteUpdateAsync(s => s.SetProperty(d => d.Name, name), http.RequestAborted);
        log.LogInformation("Donor {DonorId} corrected the name on future receipts", donorId);
        return PortalPage.Render(http, org.Value.Name, "Name corrected", $"""
            <p class="notice" role="status">Your receipts and statements will be made out to <strong>{E(name)}</strong> from now on.</p>
            <p><a href="/manage/account">Back to your giving</a></p>
            """);
    }
}
