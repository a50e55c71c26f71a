using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Integration.Storage;

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
}
