import * as z from 'zod/mini';

/**
 * The closed value lists of the full-KYC customer profile (CP+), exactly as the Customer Profile API
 * reference spells them. The personal lists are also on the "Create a personal customer profile+" page;
 * the business lists (natureOfBusiness, sourceOfFunds, monthlyTransactionVolume, licensingStatus) come from
 * the provider's published OpenAPI document, which gives them in full.
 */

export const EXPECTED_ANNUAL_TRANSACTION_AMOUNTS = [
  '0_TO_1000',
  '1001_TO_5000',
  '5001_TO_10000',
  '10001_TO_30000',
  'GT_30000',
] as const;
export const EXPECTED_TRANSACTION_SIZES = ['0_TO_1000', '1001_TO_5000', '5001_TO_10000', '10001_TO_20000', 'GT_20000'] as const;
export const EXPECTED_TRANSACTION_FREQUENCIES = [
  'AT_LEAST_ONCE_EVERY_2_WEEKS',
  'AT_LEAST_ONCE_A_MONTH',
  'AT_LEAST_ONCE_EVERY_6_MONTHS',
  'AT_LEAST_ONCE_A_YEAR',
] as const;
export const ANNUAL_INCOMES = ['0_TO_30000', '30001_TO_50000', '50001_TO_100000', '100001_TO_500000', 'GT_500000'] as const;
export const TOTAL_WEALTH = [
  '0_TO_500000',
  '500001_TO_2000000',
  '2000001_TO_5000000',
  '5000001_TO_10000000',
  'GT_10000000',
] as const;

export const PERSONAL_PURPOSES_OF_ACCOUNT = ['INVESTMENT', 'TRADING', 'REMITTANCES', 'OTHERS'] as const;
/** The business list adds two values, both spelt with a space. */
export const BUSINESS_PURPOSES_OF_ACCOUNT = [
  'INVESTMENT',
  'TRADING',
  'REMITTANCES',
  'TREASURY MANAGEMENT',
  'BUSINESS USAGE',
  'OTHERS',
] as const;

export const ENTITY_LEGAL_FORMS = ['PRIVATE_COMPANY', 'PUBLIC_COMPANY'] as const;

/**
 * In USD. The fourth value is `100001_TO_10000000` [sic]: it overlaps the second and looks like a typo for
 * `1000001_TO_10000000`, but the reference lists it this way and quotes the same list in its own
 * validation error, so it is kept as written. (The reference's response example shows `80001_TO_100000`,
 * which is in no list; the list wins.)
 */
export const MONTHLY_TRANSACTION_VOLUMES = [
  '0_TO_100000',
  '100001_TO_500000',
  '500001_TO_1000000',
  '100001_TO_10000000',
  'GT_10000000',
] as const;

export const LICENSING_STATUSES = [
  'FULLY_LICENSED',
  'EXEMPT_FROM_LICENSING',
  'IN_PRINCIPLE_APPROVAL_GRANTED',
  'LICENSE_APPLICATION_IN_PROGRESS',
  'NOT_SUBJECTED_TO_LICENSING_REQUIREMENTS',
] as const;

export const NATURES_OF_BUSINESS = [
  'PERSONAL_INVESTMENT_COMPANIES',
  'SUPERANNUATION_FUND',
  'CRYPTO_MINING',
  'PROPRIETARY_TRADING',
  'ALGORITHM_CRYPTO_TRADERS',
  'P2P_MERCHANTS',
  'OTHER_WEB3_SERVICES_NON_VASP',
  'ACCOMMODATION_AND_FOOD_SERVICES',
  'WASTE_MANAGEMENT_AND_REMEDIATION_SERVICES',
  'AGRICULTURE_FORESTRY_FISHING_AND_HUNTING',
  'ARTS_ENTERTAINMENT_AND_RECREATION',
  'EDUCATIONAL_SERVICES',
  'GAMING',
  'HEALTHCARE_AND_SOCIAL_ASSISTANCE',
  'INFORMATION',
  'GENERAL_MANUFACTURING',
  'PROFESSIONAL_SERVICES',
  'SCIENTIFIC_AND_TECHNICAL_SERVICES',
  'RETAIL_ELECTRONICS',
  'RETAIL_FOOD_AND_BEVERAGE',
  'RETAIL_JEWELRY',
  'RETAIL_OTHERS',
  'SALE_OF_DRUGS_AND_PHARMACEUTICAL_PRODUCTS',
  'TRANSPORTATION_AND_WAREHOUSING',
  'FAMILY_OFFICE',
  'SOVEREIGN_WEALTH_FUND',
  'INVESTMENT_FUNDS',
  'CRYPTO_EXCHANGE_BROKER',
  'CRYPTO_ATM',
  'OTHER_DIGITAL_ASSET_SERVICE_PROVIDERS_VASP',
  'BANK',
  'NON_BANK_FINANCIAL_INSTITUTION',
  'MONEY_SERVICES_BUSINESS_PAYMENT_SERVICE_PROVIDERS',
  'CONSTRUCTION',
  'GENERAL_WHOLESALERS',
  'MANAGEMENT_OF_COMPANIES',
  'PRECIOUS_STONES_METALS_DEALERS',
  'CRUDE_OIL_NATURAL_GAS_DEALERS',
  'PAWN_SHOPS',
  'PUBLIC_ADMINISTRATION',
  'REAL_ESTATE_RENTAL_LEASING',
  'UTILITIES',
  'OTHERS',
] as const;

/** The reference's response example shows `PERSONAL_SAVINGS`, which is not in this list; the list wins. */
export const SOURCES_OF_FUNDS = [
  'LOAN_FROM_PARENT_COMPANY',
  'LOAN_FROM_DIRECTORS_SHAREHOLDERS',
  'INVESTOR_FUNDS',
  'BUSINESS_LOANS',
  'BUSINESS_REVENUE',
  'CUSTOMER_FUNDS_FOR_INVESTMENT',
  'ARBITRAGE_TRADING',
  'EMPLOYMENT_INCOME',
  'BUSINESS_OWNERSHIP_INCOME',
  'PROPERTY_OWNERSHIP',
  'INVESTMENT_HOLDINGS_RETURNS',
  'GIFTS_INHERITANCE',
  'CASH_SAVINGS',
  'OTHERS',
] as const;

/** The keys of a personal sourceOfWealth object; each holds one supporting document. */
export const PERSONAL_WEALTH_SOURCES = [
  'businessOwnership',
  'employmentIncome',
  'propertyOwnership',
  'investmentReturns',
  'lotteryWinnings',
  'inheritanceGifts',
  'cashSavings',
  'others',
] as const;
export type PersonalWealthSource = (typeof PERSONAL_WEALTH_SOURCES)[number];

/** The keys of a business sourceOfWealth object. */
export const BUSINESS_WEALTH_SOURCES = [
  'loanFromParentCompany',
  'loanFromDirectorsShareholders',
  'investorFunds',
  'businessLoans',
  'businessRevenue',
  'customerFundsForInvestment',
  'arbitrageTrading',
  'others',
] as const;
export type BusinessWealthSource = (typeof BUSINESS_WEALTH_SOURCES)[number];

/**
 * businessIndustry and occupation: the reference points to "Accepted Values" code blocks that are neither
 * in the published OpenAPI document nor retrievable, and its examples only show upper-case snake-case
 * codes (`IT_RELATED`, `SENIOR_ASSOCIATE_OR_SENIOR_EXECUTIVE`). Without the lists, any code of that shape
 * is accepted, so a real value is never refused here and the provider remains the judge.
 */
export const UNLISTED_CODE = /^[A-Z0-9_]{2,64}$/;

/** A required value from a closed list; the message names the field and the list, never the value sent. */
export function oneOf<const T extends readonly [string, ...string[]]>(field: string, values: T) {
  const list = values.join(', ');
  return z.enum(values, {
    error: (issue) => (issue.input === undefined ? `${field} is required (one of ${list})` : `${field} must be one of ${list}`),
  });
}
