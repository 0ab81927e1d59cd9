namespace Donations.Tests.Faults;

/// <summary>
/// Fault scenarios load the machine (thousands of deliveries, a second PostgreSQL cluster, a
/// service process): they run one at a time so they neither starve other tests nor each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultsCollection
{
    public const string Name = "Faults";
}
