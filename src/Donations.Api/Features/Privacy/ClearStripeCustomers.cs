using Stripe;

namespace Donations.Api.Features.Privacy;

/// <summary>
/// The Stripe side of an erasure: each of the donor's customers loses its email, name, phone,
/// address, shipping, description and metadata (<c>POST /v1/customers/{id}</c>; an empty value
/// unsets a field, an empty <c>metadata</c> every key). A customer Stripe no longer has counts as
/// cleared. Stripe keeps the answer to an idempotency key, errors included, so each attempt has a
/// key of its own: clearing twice is harmless, while a key reused after an outage would only
/// repeat the outage's error.
/// </summary>
public sealed class ClearStripeCustomers(IStripeClient stripe, ILogger<ClearStripeCustomers> log)
{
    /// <summary>False when Stripe could not be reached or refused; the caller then changes nothing.</summary>
    public async Task<bool> ClearAsync(long donorId, IReadOnlyCollection<string> customers, CancellationToken ct)
    {
        var attempt = Guid.NewGuid().ToString("N");
        foreach (var customer in customers)
        {
            try
            {
                await ClearAsync(customer, $"erase-donor-{donorId}-{customer}-{attempt}", ct);
            }
            catch (StripeException e) when (e.HttpStatusCode == System.Net.HttpStatusCode.NotFound)
            {
                log.LogInformation("Stripe customer {CustomerId} of donor {DonorId} no longer exists; nothing to clear there", customer, donorId);
            }
            catch (Exception e) when (e is StripeException or HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                log.LogWarning("Erasing donor {DonorId}: Stripe could not clear customer {CustomerId} ({Error}); nothing was erased",
                    donorId, customer, (e as StripeException)?.StripeError?.Code ?? e.GetType().Name);
                return false;
            }
        }
        return true;
    }

    private Task ClearAsync(string customerId, string idempotencyKey, CancellationToken ct)
    {
        var options = new CustomerUpdateOptions { Email = "", Name = "", Phone = "", Description = "" };
        options.AddExtraParam("metadata", "");
        options.AddExtraParam("address", "");
        options.AddExtraParam("shipping", "");
        return new CustomerService(stripe).UpdateAsync(customerId, options, new RequestOptions { IdempotencyKey = idempotencyKey }, ct);
    }
}
