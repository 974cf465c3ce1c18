using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AgentAccessBroker.Connectors.Azure.Tests.Fakes;

/// <summary>Certificates made in the test: the fake's TLS certificate and agents' client certificates.</summary>
internal static class TestCertificates
{
    private static readonly Lazy<X509Certificate2> Tls = new(CreateTls);

    /// <summary>A self-signed loopback server certificate; clients trust exactly this one (by SHA-256 hash).</summary>
    public static X509Certificate2 LoopbackTls => Tls.Value;

    public static X509Certificate2 CreateClientCertificate(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes certificate and private key as one PEM file, a form ClientCertificateCredential reads.</summary>
    public static string WritePem(X509Certificate2 certificate, string directory)
    {
        var path = Path.Combine(directory, "agent-" + Guid.NewGuid().ToString("N") + ".pem");
        using var key = certificate.GetRSAPrivateKey()!;
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        return path;
    }

    private static X509Certificate2 CreateTls()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=aab-fake-azure", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Re-import so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
