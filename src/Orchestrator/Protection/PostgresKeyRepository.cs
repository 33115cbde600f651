using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Orchestrator.Protection;

/// <summary>
/// Data Protection's key ring in PostgreSQL (<c>data_protection_keys</c>), shared by every orchestrator instance on the
/// database. Data Protection calls it synchronously and rarely (at the first protect or unprotect, then when it
/// refreshes its keys, about once a day), so the calls block on the database. The data source is taken at the first
/// call, not when Data Protection is built (at start, by the cookie handler): a service without a database must fail
/// where it starts, with the message that says how to give it one.
/// </summary>
public sealed class PostgresKeyRepository(IServiceProvider services) : IXmlRepository
{
    private NpgsqlDataSource DataSource => services.GetRequiredService<NpgsqlDataSource>();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = DataSource.OpenConnection();
        using var command = new NpgsqlCommand("SELECT xml FROM data_protection_keys ORDER BY created_at, name", connection);
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    /// <param name="friendlyName">Data Protection's name for the element (<c>key-GUID</c>); two instances that create a
    /// key at once keep both, and Data Protection picks one.</param>
    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var connection = DataSource.OpenConnection();
        using var command = new NpgsqlCommand(
            "INSERT INTO data_protection_keys (name, xml) VALUES (@name, @xml) ON CONFLICT (name) DO NOTHING", connection);
        command.Parameters.AddWithValue("name", string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName);
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }
}
