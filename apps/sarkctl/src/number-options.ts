import { UsageError, stringOption, type OptionValues } from './command.js';

const WHOLE_NUMBER = /^[0-9]+$/;

/** Bounds and help for one whole-number option. */
export interface WholeNumberLimits {
  /** Smallest accepted value. */
  min: number;
  /** Largest accepted value. Default: Number.MAX_SAFE_INTEGER. */
  max?: number;
  /** Unit named in the error message, such as `seconds`. */
  unit?: string;
}

/**
 * Parses an optional whole-number option such as `--limit 50`.
 *
 * @returns undefined when the option is absent.
 * @throws UsageError naming the option when the value is not a whole number within the limits.
 */
export function wholeNumberOption(values: OptionValues, name: string, limits: WholeNumberLimits): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) {
    return undefined;
  }

  const max = limits.max ?? Number.MAX_SAFE_INTEGER;
  const unit = limits.unit === undefined ? '' : ` of ${limits.unit}`;
  if (!WHOLE_NUMBER.test(text)) {
    throw new UsageError(`--${name}: must be a whole number${unit}, got ${JSON.stringify(text)}`);
  }

  const value = Number(text);
  if (value < limits.min || value > max) {
    throw new UsageError(`--${name}: must be a whole number${unit} from ${limits.min} to ${max}, got ${text}`);
  }

  return value;
}
