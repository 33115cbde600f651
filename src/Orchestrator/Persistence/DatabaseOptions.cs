using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Persistence;

/// <summary>Bound from <c>Database</c>; <c>--db</c> and <c>ORCHESTRATOR_DB</c> map onto <see cref="ConnectionString"/>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    [Required(ErrorMessage = "No database configured: pass --db, set ORCHESTRATOR_DB or Database:ConnectionString.")]
    public string ConnectionString { get; set; } = "";
}
