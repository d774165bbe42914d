// Bundled into a classic script served in place of office.js: reads the scenario the test put on window.
import { installOfficeDouble, type Scenario } from './office-double.ts';

const w = window as unknown as { __officeScenario?: Scenario };
installOfficeDouble(w.__officeScenario ?? { itemType: 'appointment', mode: 'compose' });
// The benchmark starts each run on a fresh item.
(window as unknown as { __installOfficeDouble: typeof installOfficeDouble }).__installOfficeDouble = installOfficeDouble;
