namespace Donations.Api.Infrastructure.Configuration;

public enum EmailDelivery { Pickup, Smtp }
