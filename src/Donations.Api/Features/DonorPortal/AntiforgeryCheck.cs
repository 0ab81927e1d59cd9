using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;
using Donations.Api.Infrastructure.Configuration;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// Checks the antiforgery token of every portal form post and answers a page a person can act
/// on when it fails (typically a form left open for hours, or cookies blocked).
/// </summary>
internal sealed class AntiforgeryCheck(IAntiforgery antiforgery, IOptions<OrganizationOptions> org) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (await antiforgery.IsRequestValidAsync(http))
            return await next(context);
        return PortalPage.Render(http, org.Value.Name, "Please try again", """
            <p class="notice error" role="alert">This form has expired, or your browser did not send it back
            as we gave it. Please go back, reload the page and try again. Cookies must be allowed for this site.</p>
            <p><a href="/manage">Start again</a></p>
            """, StatusCodes.Status400BadRequest);
    }
}
