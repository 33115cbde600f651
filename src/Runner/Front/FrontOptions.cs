namespace Runner.Front;

/// <summary>Settings of <c>runner front</c>.</summary>
internal sealed class FrontOptions
{
    public string StateDir { get; set; } = "";
    public string Environment { get; set; } = "";
    public int Port { get; set; } = 8000;
}
