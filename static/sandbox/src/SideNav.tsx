export function SideNav() {
  return (
    <nav className="sbx-nav" aria-label="Jira settings">
      <p className="sbx-nav__title">Settings</p>
      <p className="sbx-nav__group" id="sbx-nav-apps">
        Apps
      </p>
      <ul aria-labelledby="sbx-nav-apps">
        <li>
          <a className="sbx-nav__item sbx-nav__item--selected" href="#" aria-current="page" onClick={(e) => e.preventDefault()}>
            Automatic team invitations
          </a>
        </li>
      </ul>
    </nav>
  );
}
