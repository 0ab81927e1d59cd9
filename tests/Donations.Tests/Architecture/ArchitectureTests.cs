using Donations.Api.Infrastructure;

namespace Donations.Tests.Architecture;

/// <summary>The arrows of ARCHITECTURE.md, checked on the compiled API and on its source.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void Compiled_API_has_no_feature_cycle_and_no_Infrastructure_to_feature_arrow()
    {
        var dependencies = CompiledDependencies.Of(typeof(Money).Assembly);

        var violations = DependencyRules.Violations(dependencies);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void Using_graph_of_the_source_has_no_feature_cycle_and_no_Infrastructure_to_feature_arrow()
    {
        var dependencies = SourceDependencies.Of(SourceDependencies.ApiSourceRoot());

        var violations = DependencyRules.Violations(dependencies);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void Compiled_graph_finds_a_cycle_and_an_Infrastructure_arrow_that_only_the_IL_shows()
    {
        // CycleFixture.cs: Gifts → Thanks inside an async method, Thanks → Gifts inside a lambda,
        // Infrastructure → Thanks as a generic argument of a constructed list.
        var fixtures = CompiledDependencies.Of(typeof(ArchitectureTests).Assembly);

        var violations = DependencyRules.Violations(fixtures);

        Assert.Equal(2, violations.Count);
        Assert.Contains(violations, v => v.StartsWith(
            "Infrastructure depends on a feature: Infrastructure → Features/FixtureThanks (Donations.Api.Infrastructure.FixtureTools.ToolFixture", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("Cycle between Features/FixtureGifts, Features/FixtureThanks:", StringComparison.Ordinal));
    }

    [Fact]
    public void Compiled_graph_counts_what_an_async_method_uses_for_the_type_that_wrote_it()
    {
        var dependencies = CompiledDependencies.Of(typeof(Money).Assembly);

        Assert.Contains(dependencies, d => d is
        {
            Origin: "Donations.Api.Features.StripeWebhooks.ReceiveStripeWebhook",
            Target: "Donations.Api.Features.StripeWebhooks.StripeInbox",
        });
        Assert.Contains(dependencies, d => d is { From: "Program", To: "Features/StripeWebhooks" });
    }

    [Fact]
    public void A_cycle_between_two_feature_folders_is_a_violation()
    {
        var violations = DependencyRules.Violations(
        [
            new("Features/A", "Features/B", "A.One", "B.Two"),
            new("Features/B", "Features/C", "B.Two", "C.Three"),
            new("Features/C", "Features/A", "C.Three", "A.One"),
            new("Features/C", "Infrastructure", "C.Three", "Infra.Tool"),
        ]);

        var cycle = Assert.Single(violations);
        Assert.StartsWith("Cycle between Features/A, Features/B, Features/C:", cycle);
        Assert.Contains("C.Three → A.One", cycle);
    }

    [Fact]
    public void An_Infrastructure_arrow_to_a_feature_is_a_violation_even_without_a_cycle()
    {
        var violations = DependencyRules.Violations(
        [
            new("Features/A", "Infrastructure", "A.One", "Infra.Tool"),
            new("Infrastructure", "Features/B", "Infra.Tool", "B.Two"),
        ]);

        Assert.Equal(["Infrastructure depends on a feature: Infrastructure → Features/B (Infra.Tool → B.Two)"], violations);
    }

    [Fact]
    public void Features_depending_one_way_on_each_other_and_on_Infrastructure_keep_the_rules()
    {
        Assert.Empty(DependencyRules.Violations(
        [
            new("Features/A", "Features/B", "A.One", "B.Two"),
            new("Features/A", "Infrastructure", "A.One", "Infra.Tool"),
            new("Features/B", "Infrastructure", "B.Two", "Infra.Tool"),
            new("Program", "Features/A", "Program", "A.One"),
            new("Features/A", "Features/A", "A.One", "A.Other"),
        ]));
    }

    [Fact]
    public void Source_graph_reads_using_directives_and_qualified_names_by_folder()
    {
        var root = Directory.CreateTempSubdirectory("arch-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "Features", "A"));
            Directory.CreateDirectory(Path.Combine(root.FullName, "Infrastructure", "Data"));
            File.WriteAllText(Path.Combine(root.FullName, "Features", "A", "One.cs"),
                "using Donations.Api.Features.B;\nusing Donations.Api.Infrastructure.Data;\nnamespace Donations.Api.Features.A;\n");
            File.WriteAllText(Path.Combine(root.FullName, "Infrastructure", "Data", "Tool.cs"),
                "namespace Donations.Api.Infrastructure.Data;\nclass Tool { int X = Features.A.One.Y; }\n");

            var dependencies = SourceDependencies.Of(root.FullName).Select(d => d.ToString()).Order();

            Assert.Equal(
            [
                "Features/A → Features/B (Features/A/One.cs → Features/B)",
                "Features/A → Infrastructure (Features/A/One.cs → Infrastructure)",
                "Infrastructure → Features/A (Infrastructure/Data/Tool.cs → Features/A)",
            ], dependencies);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
