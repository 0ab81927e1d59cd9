// Types shaped like API parts, for proving the compiled-graph check fails on a cycle and on an
// Infrastructure → feature arrow that only the IL shows (no using directive, no signature).
namespace Donations.Api.Features.FixtureGifts
{
    public sealed class GiftFixture
    {
        public static async Task<int> ThanksCountAsync()
        {
            await Task.Yield();
            return global::Donations.Api.Features.FixtureThanks.ThanksFixture.Count;
        }
    }
}

namespace Donations.Api.Features.FixtureThanks
{
    public sealed class ThanksFixture
    {
        public static int Count => 0;
        public static Func<string> NameOfGift() => () => typeof(global::Donations.Api.Features.FixtureGifts.GiftFixture).Name;
    }
}

namespace Donations.Api.Infrastructure.FixtureTools
{
    public sealed class ToolFixture
    {
        public static object Make() => new List<global::Donations.Api.Features.FixtureThanks.ThanksFixture>();
    }
}
