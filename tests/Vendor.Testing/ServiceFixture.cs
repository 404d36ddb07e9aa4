namespace Vendor.Testing;

/// <summary>One started service host per test class, with its own database and broker prefix.</summary>
public class ServiceFixture<TEntryPoint> : Xunit.IAsyncLifetime where TEntryPoint : class
{
    public ServiceHost<TEntryPoint> Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = new ServiceHost<TEntryPoint>(await ServiceHost<TEntryPoint>.SettingsAsync());
        Host.CreateClient();
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
