using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Limits;

/// <summary>
/// Request rates per caller (<c>Limits:Rates</c>): each user token (bearer or dashboard session) and each runner has
/// its own window; anonymous requests share one per remote address. The defaults are far above what a person or a
/// runner sends; they stop a loop gone wrong, not normal use.
/// </summary>
public sealed class RateLimitOptions : IValidatableObject
{
    public const string Section = "Limits:Rates";

    public RateWindow Users { get; set; } = new() { PermitLimit = 2000 };
    public RateWindow Runners { get; set; } = new() { PermitLimit = 20000 };
    public RateWindow Anonymous { get; set; } = new() { PermitLimit = 1000 };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, window) in new[] { (nameof(Users), Users), (nameof(Runners), Runners), (nameof(Anonymous), Anonymous) })
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(window, new ValidationContext(window), results, validateAllProperties: true);
            foreach (var result in results)
            {
                var member = $"{Section}:{name}:{result.MemberNames.FirstOrDefault()}";
                yield return new ValidationResult($"{Section}:{name}:{result.ErrorMessage}", [member]);
            }
        }
    }
}
