using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class DonationVersionAndDisputeLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "DisputeEventAt",
                table: "Donations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "Version",
                table: "Donations",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DisputeEventAt",
                table: "Donations");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "Donations");
        }
    }
}
