using System.Xml.Linq;
using Marten;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Vendor.Gateway.Dashboard;

/// <summary>A data-protection key as stored in the gateway's schema (the key ring's XML element as text).</summary>
public sealed record StoredDataProtectionKey(string Id, string Xml, DateTimeOffset StoredAt);

/// <summary>
/// The data-protection key ring in PostgreSQL, so every gateway replica reads (and so honours) the session cookies of the others,
/// and a restart does not sign everybody out. Keys are not encrypted at rest: whoever reads the gateway's schema can already read
/// the accounts; protect the database.
/// </summary>
public sealed class MartenXmlRepository(IDocumentStore store, TimeProvider clock) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        // IXmlRepository is synchronous and Marten 9 only reads asynchronously; the key ring is read rarely (it is cached for hours).
        using var session = store.QuerySession();
        var keys = session.Query<StoredDataProtectionKey>().ToListAsync().GetAwaiter().GetResult();
        return keys.Select(k => XElement.Parse(k.Xml)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var session = store.LightweightSession();
        session.Store(new StoredDataProtectionKey(friendlyName, element.ToString(SaveOptions.DisableFormatting), clock.GetUtcNow()));
        // A new key is stored about once every 90 days.
        session.SaveChangesAsync().GetAwaiter().GetResult();
    }
}
