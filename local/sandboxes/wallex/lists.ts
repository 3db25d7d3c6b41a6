/**
 * The value lists and field rules of Wallex's "Getting Started v2" page as the sandbox enforces them,
 * spelled exactly as published (case, punctuation and the page's own abbreviations).
 */

/** "Employment Statuses" listing. */
export const EMPLOYMENT_STATUSES = ['Employed', 'Unemployed', 'Student', 'Self-Employed'] as const;

/** "Employment Industries" listing. */
export const EMPLOYMENT_INDUSTRIES = [
  'Advertising/Media/Communications',
  'Administration/Clerical/Facilities Svc',
  'Agriculture/Manufacturing',
  'Banking/Finance/Insurance',
  'Construction',
  'Government/Civil Servant',
  'Personal Care Services',
  'Domestic Helper/Child Care',
  'Education/Teaching',
  'Hotel/Restaurant',
  'Information Technology',
  'Transportation/Shipping',
  'Military/Law Enforcement',
  'Automotive Repairs and Sales',
  'Medical & Health',
  'Real Estate/Property',
  'Retail/Sales',
  'Tourism/Airlines/Maritime',
  'Arts/Entertainment and Recreation',
  'Mining/Oil and Gas/Energy',
  'Water/Utilities/Waste Management',
  'Science',
] as const;

/** "Employment Positions" listing. */
export const EMPLOYMENT_POSITIONS = [
  'Entry Level',
  'Mid-Level/Supervisory/Management',
  'Senior Level/Executive',
  'Owner',
] as const;

/** `documentType` of Create Document, in the order the page lists them. */
export const DOCUMENT_TYPES = [
  'national_identity',
  'company_proof',
  'company_address_proof',
  'nric',
  'passport',
  'ktp',
  'employment_pass',
  's_pass',
  'work_permit',
  'photo',
  'bank_statement',
  'utility_bill',
  'phone_bill',
  'tax_bill',
  'family_card',
] as const;

/** User-detail `title` values. */
export const TITLES = ['Mr', 'Mrs', 'Miss', 'Ms', 'Dr'] as const;

/** User-detail `gender` values. */
export const GENDERS = ['male', 'female'] as const;

/** User-detail `identificationType` values. */
export const IDENTIFICATION_TYPES = ['passport', 'nric'] as const;

/** Sign-up `accountType` values. */
export const ACCOUNT_TYPES = ['individual', 'company'] as const;

/** Sign-up `language` values (default `en`). */
export const LANGUAGES = ['en', 'id'] as const;

/**
 * The user-detail fields the page marks "required for kyc screening"; `expiryDate` is required "if
 * applicable, for example: passport", so it is checked separately.
 */
export const KYC_REQUIRED_FIELDS = [
  'firstName',
  'lastName',
  'mobileCountryCode',
  'mobileNumber',
  'gender',
  'countryOfBirth',
  'nationality',
  'countryOfResidence',
  'residentialAddress',
  'countryCode',
  'postalCode',
  'dateOfBirth',
  'identificationType',
  'identificationNumber',
  'issueDate',
  'employmentIndustry',
  'employmentStatus',
  'employmentPosition',
] as const;

/** Optional user-detail fields the page documents besides the required ones. */
export const KYC_OPTIONAL_FIELDS = [
  'title',
  'formerName',
  'aliasName',
  'state',
  'city',
  'occupation',
  'nameInChineseCharacters',
  'expiryDate',
] as const;
