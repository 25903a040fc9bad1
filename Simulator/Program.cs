using Vdi.Simulator.Hosting;

await SimulatorApplication.Create(args).RunAsync();
