import pg from 'pg';
import { Sequelize } from 'sequelize';

/**
 * A pg client whose errors are always listened for, from the moment it exists. Sequelize listens
 * for a connection's errors only once the connection is made, a moment after pg says it is: a
 * server that goes away in that moment (a killed PostgreSQL tells every connection at once, in
 * the same packet as the connection's "ready") raised an 'error' event nobody listened to, which
 * ends the process before it can say why. Such a connection is marked the way Sequelize's own
 * listener marks a failed one, so that its pool drops it instead of handing it out again.
 */
class ListeningClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => {
      (this as unknown as { _invalid: boolean })._invalid = true;
    });
  }
}

const listeningPg = { ...pg, Client: ListeningClient };

let installed = false;

/** Every Sequelize made from now on (ACE's store's too) connects with ListeningClient. */
export function listenToConnectionErrorsFromTheStart(): void {
  if (installed) return;
  installed = true;
  Sequelize.addHook('afterInit', (sequelize) => {
    (sequelize.connectionManager as unknown as { lib: typeof pg }).lib = listeningPg;
  });
}
