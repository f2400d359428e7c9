export { dailyTrading } from './daily-trading';
