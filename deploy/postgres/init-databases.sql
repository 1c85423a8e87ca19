-- One database per service: a service never reads another's data.
CREATE DATABASE members;
CREATE DATABASE projects;
CREATE DATABASE funding;
CREATE DATABASE reporting;
CREATE DATABASE notifications;
