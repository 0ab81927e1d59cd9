using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class DonorErasedAt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "ErasedAt",
                table: "Donors",
                type: "datetime2",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ErasedAt",
                table: "Donors");
        }
    }
}
