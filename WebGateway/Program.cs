using Vdi.WebGateway.Hosting;

await GatewayApplication.Create(args).RunAsync();
