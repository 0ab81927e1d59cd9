using Donations.Api.Infrastructure.Configuration;

namespace Donations.Api.Infrastructure.Documents;

/// <summary>The organisation as every document template sees it (<c>{{ organization.legal_name }}</c>): receipts, void notices, statements.</summary>
public sealed class OrganizationModel
{
    public required string Name { get; init; }
    public required string LegalName { get; init; }
    public required string TaxId { get; init; }
    public required string Address { get; init; }
    public required string Website { get; init; }
    public required string Signatory { get; init; }

    public static OrganizationModel From(OrganizationOptions org) => new()
    {
        Name = org.Name,
        LegalName = org.LegalName,
        TaxId = org.TaxId,
        Address = org.Address,
        Website = org.Website,
        Signatory = org.ReceiptSignatory,
    };
}
