using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using Donations.Api.Infrastructure.Configuration;
using Fluid;
using Microsoft.Extensions.Options;

namespace Donations.Api.Infrastructure.Documents;

/// <summary>
/// Renders the Liquid templates that an organisation edits (receipts, notices, statements).
/// A file in <c>Email:TemplatesDirectory</c> overrides the one shipped in <c>Templates/</c> next to
/// the executable; an edited file takes effect on the next message, without a restart.
/// </summary>
public sealed class DocumentTemplates(IOptions<EmailOptions> options, IHostEnvironment env)
{
    private static readonly FluidParser Parser = new();
    private readonly string _shipped = Path.Combine(AppContext.BaseDirectory, "Templates");
    private readonly string? _override = string.IsNullOrWhiteSpace(options.Value.TemplatesDirectory)
        ? null
        : Path.GetFullPath(options.Value.TemplatesDirectory, env.ContentRootPath);
    private readonly ConcurrentDictionary<string, (DateTime WrittenAt, IFluidTemplate Template)> _parsed = new();
    // One options object per model type, built once and never changed afterwards, so renders on
    // many workers never race on the member access strategy.
    private readonly ConcurrentDictionary<Type, TemplateOptions> _optionsByModel = new();

    /// <summary>HTML: every value is HTML-encoded.</summary>
    public Task<string> RenderHtmlAsync<TModel>(string name, TModel model) where TModel : class =>
        RenderAsync(name, model, HtmlEncoder.Default);

    /// <summary>Plain text (bodies, subjects, PDF source): values are written as they are.</summary>
    public Task<string> RenderTextAsync<TModel>(string name, TModel model) where TModel : class =>
        RenderAsync(name, model, NullEncoder.Default);

    private async Task<string> RenderAsync<TModel>(string name, TModel model, TextEncoder encoder) where TModel : class
    {
        var template = Load(name);
        var context = new TemplateContext(model, _optionsByModel.GetOrAdd(typeof(TModel), CreateOptions));
        return await template.RenderAsync(context, encoder);
    }

    private IFluidTemplate Load(string name)
    {
        var path = Locate(name);
        var writtenAt = File.GetLastWriteTimeUtc(path);
        if (_parsed.TryGetValue(path, out var cached) && cached.WrittenAt == writtenAt)
            return cached.Template;
        if (!Parser.TryParse(File.ReadAllText(path), out var template, out var error))
            throw new InvalidOperationException($"Template {path} cannot be parsed: {error}");
        _parsed[path] = (writtenAt, template);
        return template;
    }

    private string Locate(string name)
    {
        if (_override is not null)
        {
            var custom = Path.Combine(_override, name);
            if (File.Exists(custom)) return custom;
        }
        var shipped = Path.Combine(_shipped, name);
        return File.Exists(shipped)
            ? shipped
            : throw new FileNotFoundException($"Template '{name}' is missing from {_shipped}.", shipped);
    }

    private static TemplateOptions CreateOptions(Type model)
    {
        var options = new TemplateOptions();
        // Liquid's own convention: {{ organization.legal_name }}.
        options.MemberAccessStrategy.MemberNameStrategy = MemberNameStrategies.SnakeCase;
        Register(options, model, []);
        return options;
    }

    // Fluid renders members of unregistered types as empty, silently: register the model and every
    // class it reaches.
    private static void Register(TemplateOptions options, Type type, HashSet<Type> seen)
    {
        if (!seen.Add(type)) return;
        options.MemberAccessStrategy.Register(type);
        foreach (var property in type.GetProperties())
        {
            var t = property.PropertyType;
            if (t != typeof(string) && t.IsGenericType && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)))
                t = t.GetGenericArguments()[0];
            else if (t.IsArray)
                t = t.GetElementType()!;
            if (t.IsClass && t != typeof(string))
                Register(options, t, seen);
        }
    }
}
