using System.Collections;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepUpDown.Integration.Configuration;

/// <summary>
/// Validates an options object with its DataAnnotations (and <see cref="IValidatableObject"/>),
/// walking into nested option objects, lists and dictionaries, and names each failure by its
/// full configuration path, e.g. <c>CaseFeeds:Sources:social-care:BaseUrl</c>.
/// </summary>
public sealed class SectionValidator<TOptions>(string sectionPath) : IValidateOptions<TOptions>
    where TOptions : class
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = SectionValidation.Failures(options, sectionPath);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The walk behind <see cref="SectionValidator{TOptions}"/>, usable before a host exists.</summary>
public static class SectionValidation
{
    /// <summary>Every failure in <paramref name="options"/>, each prefixed with its configuration path.</summary>
    public static IReadOnlyList<string> Failures(object options, string path)
    {
        var failures = new List<string>();
        Walk(options, path, failures);
        return failures;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> naming every failing key.</summary>
    public static void ThrowIfInvalid<TOptions>(TOptions options, string path)
        where TOptions : class
    {
        var failures = Failures(options, path);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(path, typeof(TOptions), failures);
        }
    }

    private static void Walk(object options, string path, List<string> failures)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var members = result.MemberNames.Any() ? result.MemberNames : [""];
            foreach (var member in members)
            {
                var key = member.Length == 0 ? path : $"{path}:{member}";
                failures.Add($"{key}: {result.ErrorMessage}");
            }
        }

        foreach (var property in options.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length > 0 || property.GetValue(options) is not { } value)
            {
                continue;
            }

            var childPath = $"{path}:{property.Name}";
            switch (value)
            {
                case IDictionary dictionary:
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        if (entry.Value is { } item && IsOptionsType(item.GetType()))
                        {
                            Walk(item, $"{childPath}:{entry.Key}", failures);
                        }
                    }

                    break;
                case IList list:
                    for (var i = 0; i < list.Count; i++)
                    {
                        if (list[i] is { } item && IsOptionsType(item.GetType()))
                        {
                            Walk(item, $"{childPath}:{i}", failures);
                        }
                    }

                    break;
                default:
                    if (IsOptionsType(value.GetType()))
                    {
                        Walk(value, childPath, failures);
                    }

                    break;
            }
        }
    }

    private static bool IsOptionsType(Type type) =>
        type.IsClass && type.Namespace?.StartsWith("StepUpDown", StringComparison.Ordinal) == true;
}
