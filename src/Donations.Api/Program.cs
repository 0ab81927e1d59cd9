using Donations.Api.Features.Checkout;
using Donations.Api.Features.Donations;
using Donations.Api.Features.DonorPortal;
using Donations.Api.Features.Finance;
using Donations.Api.Features.Memberships;
using Donations.Api.Features.Privacy;
using Donations.Api.Features.Receipts;
using Donations.Api.Features.Statements;
using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Features.Staff;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Email;
using Donations.Api.Infrastructure.Jobs;
using Donations.Api.Infrastructure.Observability;
using Donations.Api.Infrastructure.Stripe;
using Donations.Api.Infrastructure.Web;

var builder = WebApplication.CreateBuilder(CommandLine.WithContentRoot(args));
builder.AddDonationsOptions();
builder.AddDonationsData();
builder.AddDonationsJobs();
builder.AddDonationsEmail();
builder.AddDonationsStripe();
builder.AddDonationsWeb();
builder.AddDonationsObservability();
builder.AddCheckout();
builder.AddStripeWebhooks();
builder.AddDonations();
builder.AddMemberships();
builder.AddReceipts();
builder.AddStaff();
builder.AddDonorPortal();
builder.AddStatements();
builder.AddFinance();
builder.AddPrivacy();
builder.Services.AddSingleton<ICliCommand, MigrateCommand>();

var app = builder.Build();
app.UseDonationsWeb();
app.MapHealth();
app.MapDonationsObservability();
app.MapCheckout();
app.MapReceipts();
app.MapStripeWebhooks();
app.MapStaff();
app.MapDonorPortal();
app.MapStatements();
app.MapFinance();
app.MapPrivacy();

return await app.RunDonationsAsync(args);

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
