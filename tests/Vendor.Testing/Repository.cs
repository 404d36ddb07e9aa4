namespace Vendor.Testing;

/// <summary>The checkout the tests run from: its root, and the build output of its projects in this test run's configuration.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>A project's built assembly in the same configuration as the running test assembly (bin/&lt;Configuration&gt;/net10.0).</summary>
    public static string BuiltDll(string projectDir, string assembly)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var dll = Path.Combine(Root, projectDir, "bin", here.Parent!.Name, here.Name, $"{assembly}.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"Build the solution first: {dll} is missing.");
        return dll;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Vendor.sln"))) return dir.FullName;
        throw new InvalidOperationException("Vendor.sln not found above " + AppContext.BaseDirectory);
    }
}
