using Donations.Tests.Infrastructure;
using Stripe;

namespace Donations.Tests.DonorPortal;

/// <summary>
/// The stand-in refuses subscription updates the way Stripe's endive API does, answered through the
/// real Stripe.net client, so a portal change that passes here sends only what Stripe accepts.
/// </summary>
public sealed class SubscriptionStandInStrictnessTests : IAsyncLifetime
{
    private StripeStandIn stripe = null!;
    private SubscriptionService subscriptions = null!;
    private const string Id = "sub_test_strict";

    public async Task InitializeAsync()
    {
        stripe = await StripeStandIn.StartAsync();
        subscriptions = new SubscriptionService(new StripeClient("sk_test_standin", apiBase: stripe.BaseUrl));
        stripe.Store(StripeEventFactory.Subscription(Id, "cus_test_strict", 2000, "usd", "active",
            DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddDays(27)));
    }

    public async Task DisposeAsync() => await stripe.DisposeAsync();

    private async Task<StripeException> RefusedAsync(SubscriptionUpdateOptions options) =>
        await Assert.ThrowsAsync<StripeException>(() => subscriptions.UpdateAsync(Id, options));

    [Fact]
    public async Task A_parameter_endive_does_not_have_is_refused_by_name()
    {
        var options = new SubscriptionUpdateOptions();
        options.AddExtraParam("pause_collection[resumes]", "1900000000");

        var refused = await RefusedAsync(options);

        Assert.Equal("parameter_unknown", refused.StripeError.Code);
        Assert.Equal("pause_collection[resumes]", refused.StripeError.Param);
    }

    [Fact]
    public async Task A_pause_behaviour_outside_the_enum_or_a_resume_date_in_the_past_is_refused()
    {
        var badBehaviour = await RefusedAsync(new SubscriptionUpdateOptions
        {
            PauseCollection = new SubscriptionPauseCollectionOptions { Behavior = "skip" },
        });
        var past = await RefusedAsync(new SubscriptionUpdateOptions
        {
            PauseCollection = new SubscriptionPauseCollectionOptions { Behavior = "void", ResumesAt = DateTime.UtcNow.AddDays(-1) },
        });

        Assert.Equal("pause_collection[behavior]", badBehaviour.StripeError.Param);
        Assert.Equal("pause_collection[resumes_at]", past.StripeError.Param);
    }

    [Fact]
    public async Task A_price_for_an_item_the_subscription_lacks_or_without_its_product_is_refused()
    {
        var otherItem = await RefusedAsync(new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = "si_not_here", Price = "price_1" }],
        });
        var item = (string)stripe.Objects[Id]["items"]!["data"]![0]!["id"]!;
        var noProduct = await RefusedAsync(new SubscriptionUpdateOptions
        {
            Items =
            [
                new SubscriptionItemOptions
                {
                    Id = item,
                    PriceData = new SubscriptionItemPriceDataOptions
                    {
                        Currency = "usd", UnitAmount = 1000, Recurring = new SubscriptionItemPriceDataRecurringOptions { Interval = "month" },
                    },
                },
            ],
        });

        Assert.Equal("resource_missing", otherItem.StripeError.Code);
        Assert.Equal("parameter_missing", noProduct.StripeError.Code);
    }

    [Fact]
    public async Task An_accepted_update_is_applied_and_answered_with_the_subscription_as_it_now_stands()
    {
        var updated = await subscriptions.UpdateAsync(Id, new SubscriptionUpdateOptions
        {
            CancelAtPeriodEnd = true,
            CancellationDetails = new SubscriptionCancellationDetailsOptions { Comment = "Too many emails" },
            Metadata = new() { ["benefits"] = "declined" },
        });

        Assert.True(updated.CancelAtPeriodEnd);
        Assert.Equal("Too many emails", updated.CancellationDetails.Comment);
        Assert.Equal("declined", updated.Metadata["benefits"]);
        Assert.Equal("Too many emails", (string?)stripe.Objects[Id]["cancellation_details"]!["comment"]);
    }
}
