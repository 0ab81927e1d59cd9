using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>GET /manage</c> asks for an email address; <c>POST /manage</c> answers the same page
/// whoever asks. The request never looks the address up: it hands it to a job that does, so the
/// answer and its timing are the same for donors and strangers alike.
/// </summary>
public static class RequestSignInLink
{
    public const string SentMessage = "If that address has given to us, a sign-in link is on its way.";

    public static IResult Show(HttpContext http, IOptions<OrganizationOptions> org) =>
        PortalPage.Render(http, org.Value.Name, "Manage your giving", $"""
            <p>See your gifts, download receipts and year-end statements, and change or cancel a
            monthly gift. Enter the email address you gave with and we will send you a link that
            signs you in.</p>
            {PortalPage.EmailForm(http)}
            """);

    public static async Task<IResult> Submit(
        [FromForm] string? email, HttpContext http, PortalRateLimits limits,
        IBackgroundJobClient jobs, SignInRequests requests, IOptions<OrganizationOptions> org)
    {
        var organization = org.Value.Name;
        if (!await limits.AllowRequestFromAsync(http))
            return TooMany(http, organization);

        var address = Donor.NormalizeEmail(email ?? "");
        if (!MimeKit.MailboxAddress.TryParse(address, out var mailbox) || mailbox.Address != address || !address.Contains('@') || address.Length > 320)
            return PortalPage.Render(http, organization, "Manage your giving", $"""
                <p class="notice error" role="alert">Please enter a full email address, like name@example.com.</p>
                {PortalPage.EmailForm(http, email)}
                """, StatusCodes.Status400BadRequest);

        if (!await limits.AllowRequestForAsync(address))
            return TooMany(http, organization);

        // Sealed: the job's argument is on show in the dashboard and kept with the job.
        var request = requests.Seal(address);
        jobs.Enqueue<SendSignInLink>(JobQueues.Email, j => j.RunAsync(request, CancellationToken.None));

        return PortalPage.Render(http, organization, "Check your email", $"""
            <p class="notice" role="status">{SentMessage}</p>
            <p>The link works once and for {(int)SignInTokens.Lifetime.TotalMinutes} minutes. If nothing arrives,
            check your spam folder, or try the address you used when you gave.</p>
            <p><a href="/manage">Use a different address</a></p>
            """);
    }

    private static IResult TooMany(HttpContext http, string organization)
    {
        http.Response.Headers.RetryAfter = ((int)PortalRateLimits.AddressWindow.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return PortalPage.Render(http, organization, "Please wait a little", """
            <p class="notice error" role="alert">We have had many requests for sign-in links from here or for
            this address. Please wait a few minutes and try again; links already sent keep working for 30 minutes.</p>
            """, StatusCodes.Status429TooManyRequests);
    }
}
