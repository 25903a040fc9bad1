using Vdi.Silo.Hosting;

return await SiloApplication.RunAsync(args);
