namespace Donations.Tests.Architecture;

/// <summary>
/// One arrow between parts of the API, with where it was seen: <paramref name="Origin"/> is the
/// type or file that depends, <paramref name="Target"/> what it depends on.
/// </summary>
public sealed record Dependency(string From, string To, string Origin, string Target)
{
    public override string ToString() => $"{From} → {To} ({Origin} → {Target})";
}

/// <summary>
/// The arrows the architecture allows (ARCHITECTURE.md): features may use Infrastructure and each
/// other without a cycle between feature folders; Infrastructure uses no feature.
/// Parts are named <c>Features/&lt;Folder&gt;</c>, <c>Infrastructure</c>, or <c>Program</c>.
/// </summary>
public static class DependencyRules
{
    public const string Infrastructure = "Infrastructure";
    public const string FeaturePrefix = "Features/";

    /// <summary>The part a namespace belongs to; null for namespaces outside the API's own.</summary>
    public static string? PartOfNamespace(string? ns)
    {
        const string root = "Donations.Api.";
        if (ns is null || !ns.StartsWith(root, StringComparison.Ordinal)) return null;
        var parts = ns[root.Length..].Split('.');
        return parts[0] switch
        {
            "Features" when parts.Length > 1 => FeaturePrefix + parts[1],
            "Infrastructure" => Infrastructure,
            _ => null,
        };
    }

    /// <summary>Every forbidden arrow, as sentences; empty when the graph keeps the rules.</summary>
    public static IReadOnlyList<string> Violations(IEnumerable<Dependency> dependencies)
    {
        var edges = dependencies.Where(d => d.From != d.To).ToList();
        var violations = new List<string>();

        foreach (var d in edges.Where(d => d.From == Infrastructure && d.To.StartsWith(FeaturePrefix, StringComparison.Ordinal)))
            violations.Add($"Infrastructure depends on a feature: {d}");

        var features = edges
            .Where(d => d.From.StartsWith(FeaturePrefix, StringComparison.Ordinal) && d.To.StartsWith(FeaturePrefix, StringComparison.Ordinal))
            .ToList();
        foreach (var cycle in StronglyConnected(features).Where(c => c.Count > 1))
        {
            var inside = features.Where(d => cycle.Contains(d.From) && cycle.Contains(d.To))
                .GroupBy(d => (d.From, d.To)).Select(g => g.First().ToString());
            violations.Add($"Cycle between {string.Join(", ", cycle.Order())}: {string.Join("; ", inside)}");
        }
        return violations;
    }

    /// <summary>Tarjan's strongly connected components: a component of two or more parts is a cycle.</summary>
    private static List<HashSet<string>> StronglyConnected(IReadOnlyCollection<Dependency> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Distinct().ToList());
        var nodes = edges.SelectMany(e => new[] { e.From, e.To }).Distinct().Order().ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<HashSet<string>>();

        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in next.GetValueOrDefault(v) ?? [])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new HashSet<string>();
            string x;
            do
            {
                x = stack.Pop();
                onStack.Remove(x);
                component.Add(x);
            } while (x != v);
            components.Add(component);
        }

        foreach (var n in nodes)
            if (!index.ContainsKey(n)) Visit(n);
        return components;
    }
}
