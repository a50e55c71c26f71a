using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Worker.Dashboard;

/// <summary>
/// The Data Protection key ring (what signs and encrypts the dashboard's cookie and antiforgery
/// tokens) kept in PostgreSQL, <c>stepupdown.data_protection_keys</c>, under one application name:
/// every instance reads every other's cookies, and a restart signs nobody out. With
/// <c>Dashboard:DataProtection:CertificatePath</c> the keys are encrypted with that certificate
/// before they are stored; without it they are as secret as the database that holds them (which
/// already holds the children's data), and ASP.NET Core says so at start-up.
/// </summary>
public static class DataProtectionKeys
{
    /// <summary>The application name every instance shares (the default is the content root, which differs between hosts).</summary>
    public const string ApplicationName = "StepUpDown";

    /// <summary>Keeps the key ring in the worker's database.</summary>
    public static IHostApplicationBuilder AddDataProtectionKeys(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        var keyRing = builder.Configuration.GetSection($"{DashboardOptions.SectionName}:{nameof(DashboardOptions.DataProtection)}").Get<KeyRingOptions>() ?? new KeyRingOptions();
        if (keyRing.CertificatePath is { Length: > 0 } path && File.Exists(path))
        {
            var certificate = LoadCertificate(path, keyRing.CertificatePassword);
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }

        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider =>
            new ConfigureOptions<KeyManagementOptions>(keys => keys.XmlRepository = new PostgresXmlRepository(provider.GetRequiredService<NpgsqlDataSource>())));
        return builder;
    }

    /// <summary>The key ring's certificate; a file that is not one, or holds no private key, stops start-up naming the key.</summary>
    private static X509Certificate2 LoadCertificate(string path, string? password)
    {
        const string Key = $"{DashboardOptions.SectionName}:{nameof(DashboardOptions.DataProtection)}:{nameof(KeyRingOptions.CertificatePath)}";
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (CryptographicException exception)
        {
            throw new OptionsValidationException(Key, typeof(KeyRingOptions), [$"{Key}: could not be read as a PKCS#12 file with CertificatePassword ({exception.GetType().Name})."]);
        }

        return certificate.HasPrivateKey
            ? certificate
            : throw new OptionsValidationException(Key, typeof(KeyRingOptions), [$"{Key}: the certificate has no private key; the key ring could not be read back."]);
    }
}
