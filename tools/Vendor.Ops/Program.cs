using Vendor.Ops.ErrorQueues;

// Operator commands; ./vendor runs them with the installation's broker.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
return args switch
{
    ["replay-errors", .. var rest] => await ReplayErrorsCommand.RunAsync(rest, Console.Out, ct: cancel.Token),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Vendor.Ops replay-errors [options]   (see: Vendor.Ops replay-errors --help)");
    return 2;
}
