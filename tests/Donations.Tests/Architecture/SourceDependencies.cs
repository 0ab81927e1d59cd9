using System.Text.RegularExpressions;

namespace Donations.Tests.Architecture;

/// <summary>
/// The arrows between parts as a reader meets them in src/Donations.Api: each file's <c>using</c>
/// directives of the API's namespaces, and names qualified through <c>Features.&lt;Folder&gt;.</c>.
/// A file's part is its folder.
/// </summary>
public static partial class SourceDependencies
{
    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(Donations\.Api(?:\.\w+)+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"(?<![\w.])(?:Donations\.Api\.)?Features\.(\w+)\.")]
    private static partial Regex QualifiedName();

    public static string ApiSourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Donations.sln")))
                return Path.Combine(dir.FullName, "src", "Donations.Api");
        throw new DirectoryNotFoundException("Donations.sln not found above " + AppContext.BaseDirectory);
    }

    public static IReadOnlyList<Dependency> Of(string apiRoot)
    {
        var found = new HashSet<Dependency>();
        foreach (var path in Directory.EnumerateFiles(apiRoot, "*.cs", SearchOption.AllDirectories))
        {
            var file = Path.GetRelativePath(apiRoot, path).Replace('\\', '/');
            if (file.StartsWith("bin/", StringComparison.Ordinal) || file.StartsWith("obj/", StringComparison.Ordinal)) continue;
            var from = PartOfFile(file);
            var text = File.ReadAllText(path);
            var namespaces = UsingDirective().Matches(text).Select(m => m.Groups[1].Value)
                .Concat(QualifiedName().Matches(text).Select(m => "Donations.Api.Features." + m.Groups[1].Value));
            foreach (var ns in namespaces)
                if (DependencyRules.PartOfNamespace(ns) is { } to)
                    found.Add(new Dependency(from, to, file, to));
        }
        return found.ToList();
    }

    public static string PartOfFile(string file)
    {
        var segments = file.Split('/');
        return segments[0] switch
        {
            "Features" when segments.Length > 2 => DependencyRules.FeaturePrefix + segments[1],
            "Infrastructure" => DependencyRules.Infrastructure,
            _ => "Program",
        };
    }
}
