using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using Npgsql;

namespace StepUpDown.Worker.Dashboard;

/// <summary>
/// The Data Protection key ring (what signs and encrypts the dashboard's cookie and antiforgery
/// tokens) kept in PostgreSQL, <c>stepupdown.data_protection_keys</c>, under one application name:
/// every instance reads every other's cookies, and a restart signs nobody out. The keys are as
/// secret as the database that holds them, which already holds the children's data.
/// </summary>
public static class DataProtectionKeys
{
    /// <summary>The application name every instance shares (the default is the content root, which differs between hosts).</summary>
    public const string ApplicationName = "StepUpDown";

    /// <summary>Keeps the key ring in the worker's database.</summary>
    public static IHostApplicationBuilder AddDataProtectionKeys(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider =>
            new ConfigureOptions<KeyManagementOptions>(keys => keys.XmlRepository = new PostgresXmlRepository(provider.GetRequiredService<NpgsqlDataSource>())));
        return builder;
    }

    private sealed class PostgresXmlRepository(NpgsqlDataSource dataSource) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements()
        {
            using var connection = dataSource.OpenConnection();
            return connection.Query<string>("SELECT xml FROM stepupdown.data_protection_keys ORDER BY created_at").Select(XElement.Parse).ToList();
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            using var connection = dataSource.OpenConnection();
            connection.Execute(
                "INSERT INTO stepupdown.data_protection_keys (friendly_name, xml) VALUES (@friendlyName, @xml) ON CONFLICT (friendly_name) DO NOTHING",
                new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
        }
    }
}
