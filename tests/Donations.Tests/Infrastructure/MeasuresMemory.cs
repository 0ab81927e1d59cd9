namespace Donations.Tests.Infrastructure;

/// <summary>
/// Heap and timing measurements need the test process to themselves: xunit runs this collection
/// after the parallel ones, alone.
/// </summary>
[CollectionDefinition(nameof(MeasuresMemory), DisableParallelization = true)]
public sealed class MeasuresMemory;
