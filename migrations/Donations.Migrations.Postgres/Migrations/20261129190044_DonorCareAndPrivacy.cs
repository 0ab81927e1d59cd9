using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class DonorCareAndPrivacy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "CardCheckedFor",
                table: "Memberships",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "StripeCancellationReason",
                table: "Memberships",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Purpose",
                table: "DonorSignInTokens",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "sign-in");

            migrationBuilder.AddColumn<string>(
                name: "StripeCustomerId",
                table: "DonorSignInTokens",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ErasedAt",
                table: "Donors",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CardCheckedFor",
                table: "Memberships");

            migrationBuilder.DropColumn(
                name: "StripeCancellationReason",
                table: "Memberships");

            migrationBuilder.DropColumn(
                name: "Purpose",
                table: "DonorSignInTokens");

            migrationBuilder.DropColumn(
                name: "StripeCustomerId",
                table: "DonorSignInTokens");

            migrationBuilder.DropColumn(
                name: "ErasedAt",
                table: "Donors");
        }
    }
}
