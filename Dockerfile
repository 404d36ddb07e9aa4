# One image recipe for every service: docker build --build-arg PROJECT=services/Agreements --build-arg ASSEMBLY=Vendor.Agreements .
# linux-x64 only: OR-Tools (Staffing) ships native libraries for five platforms, 330 MB; one is 69 MB.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG PROJECT
ARG ASSEMBLY
WORKDIR /src
# The gateway's build installs the dashboard's chart library with npm (package-lock.json); the SDK image has no Node.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
COPY . .
RUN dotnet publish "$PROJECT/$ASSEMBLY.csproj" -c Release -r linux-x64 --self-contained false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
ARG ASSEMBLY
ENV ASSEMBLY=$ASSEMBLY ASPNETCORE_URLS=http://0.0.0.0:8080 DOTNET_gcServer=0 DOTNET_GCgen0size=0x4000000
WORKDIR /app
COPY --from=build /app .
EXPOSE 8080
ENTRYPOINT ["sh", "-c", "exec dotnet $ASSEMBLY.dll"]
